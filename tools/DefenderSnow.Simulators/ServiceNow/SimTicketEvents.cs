using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// What the business rule in <c>servicenow/defendersnow-ticket-event.js</c> does on a real instance: after an update of an
/// incident, problem or change_request that carries our correlation (<c>correlation_display</c> DefenderSnow and a
/// <c>correlation_id</c>), it POSTs <c>{table, sys_id, correlation_id, changed_fields}</c> to the target, with
/// <c>X-DefenderSnow-Timestamp</c> (Unix seconds) and <c>X-DefenderSnow-Signature: v1=</c> + Base64 of
/// HMAC-SHA256(key = the secret's UTF-8 bytes, data = timestamp + "." + body), exactly as the script signs with
/// <c>GlideCertificateEncryption.generateMac</c>. As there (<c>RESTMessageV2.executeAsync</c>), a failed delivery is
/// not retried: the event is lost and the daily sync is the safety net. Sent before the update returns, so a test that
/// changes a ticket has its event delivered when the call comes back. With routes (the rule's
/// <c>defendersnow.ticket_events.routes</c>), the ticket's <c>sys_created_by</c> picks the target, compared without case;
/// a creator without a route falls back to the unrouted target, as the script does.
/// </summary>
internal sealed class SimTicketEvents : IDisposable
{
    private static readonly HashSet<string> Tables = new(StringComparer.Ordinal) { "incident", "problem", "change_request" };

    private readonly TimeProvider _timeProvider;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Dictionary<string, Target> _routes = new(StringComparer.OrdinalIgnoreCase);
    private volatile Target? _target;
    private int _sent;
    private int _failed;

    public SimTicketEvents(TimeProvider timeProvider, Uri? url, string? secret)
    {
        _timeProvider = timeProvider;
        Configure(url, secret);
    }

    public int Sent => _sent;

    public int Failed => _failed;

    public Uri? Url => _target?.Url;

    /// <summary>Where events go from now on and what signs them; <c>null</c> stops them.</summary>
    public void Configure(Uri? url, string? secret)
    {
        if (url is null)
        {
            _target = null;
            return;
        }

        _target = Validated(url, secret);
    }

    /// <summary>Where events of tickets created by <paramref name="createdBy"/> go; <c>null</c> removes the route.</summary>
    public void Route(string createdBy, Uri? url, string? secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(createdBy);
        var target = url is null ? null : Validated(url, secret);
        lock (_routes)
        {
            if (target is null)
            {
                _routes.Remove(createdBy);
            }
            else
            {
                _routes[createdBy] = target;
            }
        }
    }

    private static Target Validated(Uri url, string? secret)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback)))
        {
            throw new ArgumentException("The ticket event URL must be https (or http on a loopback address).", nameof(url));
        }

        ArgumentException.ThrowIfNullOrEmpty(secret);
        return new Target(url, secret);
    }

    private Target? TargetFor(IReadOnlyDictionary<string, string> ticket)
    {
        lock (_routes)
        {
            return ticket.TryGetValue("sys_created_by", out var creator) && _routes.TryGetValue(creator, out var routed) ? routed : _target;
        }
    }

    /// <summary>The business rule's condition and action, for one committed update.</summary>
    public void Updated(string table, IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after)
    {
        var target = TargetFor(after);
        if (target is null || !Tables.Contains(table)
            || after.GetValueOrDefault("correlation_display") != "DefenderSnow" || string.IsNullOrEmpty(after.GetValueOrDefault("correlation_id")))
        {
            return;
        }

        var changed = after.Where(p => !p.Key.StartsWith("sys_", StringComparison.Ordinal) && before.GetValueOrDefault(p.Key) != p.Value).Select(p => (JsonNode?)p.Key).ToArray();
        var body = new JsonObject
        {
            ["table"] = table,
            ["sys_id"] = after["sys_id"],
            ["correlation_id"] = after["correlation_id"],
            ["changed_fields"] = new JsonArray(changed),
        }.ToJsonString();
        var timestamp = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("X-DefenderSnow-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("X-DefenderSnow-Signature", Sign(target.Secret, timestamp, body));
        try
        {
            using var response = _client.Send(request);
            Interlocked.Increment(ref response.IsSuccessStatusCode ? ref _sent : ref _failed);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref _failed);
        }
    }

    /// <summary>
    /// <c>generateMac(base64(secret), "HmacSHA256", timestamp + "." + body)</c>: the key is the secret's bytes and the data
    /// the UTF-8 of the string (ServiceNow's documentation of GlideCertificateEncryption.generateMac: the key is passed
    /// Base64-encoded, the MAC comes back in Base64).
    /// </summary>
    public static string Sign(string secret, long timestamp, string body) =>
        "v1=" + Convert.ToBase64String(HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body)));

    public void Dispose() => _client.Dispose();

    private sealed record Target(Uri Url, string Secret);
}
