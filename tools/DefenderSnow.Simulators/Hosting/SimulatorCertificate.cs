using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DefenderSnow.Simulators.Hosting;

/// <summary>
/// A self-signed server certificate made at start for <c>localhost</c>, <c>127.0.0.1</c> and <c>::1</c>.
/// Nothing is written to disk or to any certificate store.
/// </summary>
public static class SimulatorCertificate
{
    private static readonly Lazy<X509Certificate2> Shared = new(Create);

    /// <summary>One certificate per process is enough; making RSA keys is the slow part of a start.</summary>
    public static X509Certificate2 Instance => Shared.Value;

    public static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));
        // Kestrel on Linux needs a certificate whose private key is exportable; a PFX round trip gives one.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
