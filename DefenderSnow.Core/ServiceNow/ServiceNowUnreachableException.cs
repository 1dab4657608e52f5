using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>ServiceNow could not be reached, failed TLS, timed out, or kept answering 429/5xx after retries.</summary>
public sealed class ServiceNowUnreachableException : UpstreamUnreachableException
{
    public ServiceNowUnreachableException(string message, Exception? innerException = null)
        : base(ServiceNowRejectedException.SystemName, message, innerException)
    {
    }
}
