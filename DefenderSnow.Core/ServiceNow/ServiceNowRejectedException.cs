using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>ServiceNow understood a request and refused it; the message carries ServiceNow's reason.</summary>
public sealed class ServiceNowRejectedException : UpstreamRejectedException
{
    public const string SystemName = "ServiceNow";

    public ServiceNowRejectedException(string message, int? statusCode = null, string? code = null, string? table = null, Exception? innerException = null)
        : base(SystemName, message, statusCode, code, innerException)
    {
        Table = table;
    }

    /// <summary>The table the refused request was about, when it was about one.</summary>
    public string? Table { get; }
}
