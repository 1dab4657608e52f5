namespace DefenderSnow.Core.Hosting;

/// <summary>Settings under <c>LocalDevelopment</c>: relaxations that only make sense against the local simulators.</summary>
public sealed class LocalDevelopmentOptions
{
    public const string SectionName = "LocalDevelopment";

    /// <summary>
    /// Accept self-signed TLS certificates, but only from servers on a loopback address (the
    /// simulators make their certificate at start). Never affects any other host.
    /// </summary>
    public bool TrustLoopbackCertificates { get; set; }
}
