using System.Net.Security;
using DefenderSnow.Core.Hosting;

namespace DefenderSnow.Tests.Hosting;

public sealed class LoopbackCertificatePolicyTests
{
    [TestCase("https://127.0.0.1:7445/")]
    [TestCase("https://127.10.0.1/")]
    [TestCase("https://[::1]:8443/")]
    [TestCase("https://localhost:8443/")]
    public void A_loopback_server_with_an_untrusted_certificate_is_accepted_only_when_the_setting_is_on(string uri)
    {
        Assert.That(LoopbackCertificatePolicy.IsAcceptable(new Uri(uri), SslPolicyErrors.RemoteCertificateChainErrors, trustLoopbackCertificates: true), Is.True);
        Assert.That(LoopbackCertificatePolicy.IsAcceptable(new Uri(uri), SslPolicyErrors.RemoteCertificateChainErrors, trustLoopbackCertificates: false), Is.False);
    }

    [TestCase("https://contoso.vault.azure.net/")]
    [TestCase("https://contoso.service-now.com/")]
    [TestCase("https://10.0.0.5/")]
    [TestCase("https://192.168.1.10/")]
    [TestCase("https://localhost.contoso.com/")]
    [TestCase("https://127.0.0.1.nip.io/")]
    [TestCase("https://management.azure.com/")]
    public void Any_other_server_keeps_full_validation_whatever_the_setting(string uri)
    {
        foreach (var errors in new[] { SslPolicyErrors.RemoteCertificateChainErrors, SslPolicyErrors.RemoteCertificateNameMismatch, SslPolicyErrors.RemoteCertificateNotAvailable })
        {
            Assert.That(LoopbackCertificatePolicy.IsAcceptable(new Uri(uri), errors, trustLoopbackCertificates: true), Is.False, errors.ToString());
        }
    }

    [Test]
    public void A_valid_certificate_is_accepted_everywhere()
    {
        Assert.That(LoopbackCertificatePolicy.IsAcceptable(new Uri("https://contoso.vault.azure.net/"), SslPolicyErrors.None, trustLoopbackCertificates: false), Is.True);
    }
}
