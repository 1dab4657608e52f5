using System.Text;
using System.Text.Json;
using Azure.Core;

namespace DefenderSnow.Core.Hosting;

/// <summary>
/// Issues unsigned JWT-shaped tokens whose audience is the requested resource, for the local
/// simulators of Key Vault and Resource Manager, which check audience and expiry as Entra-protected
/// services do. Start-up validation allows it only when every Azure endpoint is a loopback address.
/// </summary>
public sealed class SimulatorTokenCredential : TokenCredential
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private readonly TimeProvider _timeProvider;

    public SimulatorTokenCredential(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var scope = requestContext.Scopes.FirstOrDefault() ?? throw new ArgumentException("A scope is required.", nameof(requestContext));
        var audience = scope.EndsWith("/.default", StringComparison.Ordinal) ? scope[..^"/.default".Length] : scope;
        var expires = _timeProvider.GetUtcNow().Add(Lifetime);
        var header = Encode(new { alg = "none", typ = "JWT" });
        var payload = Encode(new { aud = audience, exp = expires.ToUnixTimeSeconds(), iss = "https://sts.simulator.local/", oid = "00000000-0000-0000-0000-00000000d5e0" });
        return new AccessToken($"{header}.{payload}.simulator", expires);
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));

    private static string Encode(object value) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
