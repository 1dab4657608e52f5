using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Resource Manager could not be reached, did not answer in time, kept answering 408, 429 or 5xx after retries, answered
/// with something DefenderSnow cannot use, or the app's own credential could obtain no token for it (the app cannot reach
/// its upstream; nothing the caller sent was refused). A refusal Resource Manager answers, 401 and 403 included, is
/// <see cref="ResourceManagerException"/>. Not sealed: a <see cref="ResourceManagerLinkRefusedException"/> is one of these.
/// </summary>
public class ResourceManagerUnreachableException : UpstreamUnreachableException
{
    public ResourceManagerUnreachableException(string message, Exception? innerException = null)
        : base(ResourceManagerException.SystemName, message, innerException)
    {
    }
}
