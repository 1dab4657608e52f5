namespace DefenderSnow.Core.Defender;

/// <summary>
/// Resource Manager returned a <c>nextLink</c> that DefenderSnow will not follow: one to another scheme, host or port
/// than the configured endpoint (following it would send the bearer token there), or one not absolute. Nothing
/// was sent to it. Like any unusable answer it reads as Resource Manager being unreachable for this call.
/// </summary>
public sealed class ResourceManagerLinkRefusedException : ResourceManagerUnreachableException
{
    public ResourceManagerLinkRefusedException(string operation, string? refusedOrigin)
        : base($"Resource Manager returned a nextLink that does not lead back to the configured endpoint ({operation}); it was not followed.")
    {
        Operation = operation;
        RefusedOrigin = refusedOrigin;
    }

    /// <summary>The listing that returned the link, for example <c>ListSubscriptionAssessments</c>.</summary>
    public string Operation { get; }

    /// <summary>The scheme, host and port the link pointed at (never its path or query), or <c>null</c> when it was not an absolute URL.</summary>
    public string? RefusedOrigin { get; }
}
