namespace DefenderSnow.Core.Telemetry;

/// <summary>The <c>service</c> dimension of DefenderSnow's upstream metrics.</summary>
public static class UpstreamService
{
    public const string ServiceNow = "servicenow";
    public const string ResourceManager = "resource-manager";
}
