using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Hosting;

/// <summary>
/// The simulator credential is for a machine where every Azure endpoint is local: refusing it
/// elsewhere keeps a copied local setting from reaching a real deployment.
/// </summary>
internal sealed class SimulatorCredentialValidation : IValidateOptions<AzureIdentityOptions>
{
    private static readonly string[] EndpointSettings = ["KeyVault:VaultUri", "Defender:Endpoint", "Storage:TableServiceUri"];
    private readonly IConfiguration _configuration;

    public SimulatorCredentialValidation(IConfiguration configuration)
    {
        _configuration = configuration;
    }

    public ValidateOptionsResult Validate(string? name, AzureIdentityOptions options)
    {
        if (options.Credential != AzureCredentialKind.Simulator)
        {
            return ValidateOptionsResult.Success;
        }

        var remote = EndpointSettings
            .Where(setting => _configuration[setting] is { Length: > 0 } value
                && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !LoopbackAddress.IsLoopback(uri)))
            .ToList();
        return remote.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Azure:Credential 'Simulator' is allowed only when every Azure endpoint is a loopback address; not so for {string.Join(", ", remote)}.");
    }
}
