namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>The simulated instance refused an action taken through the control API (data policy, missing record).</summary>
public sealed class ServiceNowSimulatorRefusedException : Exception
{
    public ServiceNowSimulatorRefusedException(int statusCode, string message, string detail)
        : base($"{message}: {detail}")
    {
        StatusCode = statusCode;
        ErrorMessage = message;
        Detail = detail;
    }

    /// <summary>What the Table API would have answered.</summary>
    public int StatusCode { get; }

    public string ErrorMessage { get; }

    public string Detail { get; }
}
