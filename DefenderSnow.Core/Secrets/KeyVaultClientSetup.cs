using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using DefenderSnow.Core.Hosting;

namespace DefenderSnow.Core.Secrets;

/// <summary>
/// The only place the Key Vault client is relaxed, and only for a vault on a loopback address (the
/// local simulator): its challenge names https://vault.azure.net, which does not match 127.0.0.1, and
/// its certificate is made at start. A vault anywhere else keeps the SDK's defaults, whatever
/// <see cref="LocalDevelopmentOptions.TrustLoopbackCertificates"/> says.
/// </summary>
internal static class KeyVaultClientSetup
{
    public static void Configure(SecretClientOptions options, Uri vaultUri, bool trustLoopbackCertificates)
    {
        if (!LoopbackAddress.IsLoopback(vaultUri))
        {
            return;
        }

        options.DisableChallengeResourceVerification = true;
        options.Transport = new HttpClientTransport(LoopbackCertificatePolicy.CreateHandler(trustLoopbackCertificates));
    }
}
