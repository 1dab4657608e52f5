using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DefenderSnow.Core.TicketEvents;

/// <summary>
/// How a ticket event is signed: <c>X-DefenderSnow-Signature: v1=</c> followed by the Base64 of
/// HMAC-SHA256(key = the UTF-8 bytes of the webhook secret, data = the timestamp's decimal digits, a <c>.</c>, then
/// the raw body bytes), and <c>X-DefenderSnow-Timestamp</c> the Unix time in seconds. Signing the timestamp
/// with the body is what stops a captured request from being replayed after <see cref="MaxClockSkew"/>.
/// The business rule in <c>servicenow/</c> and the ServiceNow simulator sign exactly this way.
/// </summary>
public static class TicketEventSignature
{
    public const string SignatureHeader = "X-DefenderSnow-Signature";
    public const string TimestampHeader = "X-DefenderSnow-Timestamp";
    public const string Scheme = "v1=";

    /// <summary>How far a timestamp may be from our clock, either way.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private const int MacBytes = 32;

    /// <summary>The header value for <paramref name="body"/> sent at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body) =>
        Scheme + Convert.ToBase64String(Mac(secret, timestamp, body));

    /// <summary>Whether <paramref name="signature"/> (the decoded MAC) is the MAC of the request under <paramref name="secret"/>, in constant time.</summary>
    public static bool Matches(string secret, long timestamp, ReadOnlySpan<byte> body, ReadOnlySpan<byte> signature) =>
        CryptographicOperations.FixedTimeEquals(Mac(secret, timestamp, body), signature);

    /// <summary>The MAC bytes of a <c>v1=</c> header value; false for anything else.</summary>
    public static bool TryDecode(string? header, out byte[] mac)
    {
        mac = [];
        if (header is null || !header.StartsWith(Scheme, StringComparison.Ordinal) || header.Length > Scheme.Length + 64)
        {
            return false;
        }

        var buffer = new byte[MacBytes + 3];
        if (!Convert.TryFromBase64String(header[Scheme.Length..], buffer, out var written) || written != MacBytes)
        {
            return false;
        }

        mac = buffer[..MacBytes];
        return true;
    }

    /// <summary>A timestamp of 1 to 12 decimal digits (no sign, no spaces), as the header must carry it.</summary>
    public static bool TryParseTimestamp(string? header, out long timestamp)
    {
        timestamp = 0;
        return header is { Length: > 0 and <= 12 } && header.All(char.IsAsciiDigit)
            && long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp);
    }

    private static byte[] Mac(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var data = new byte[prefix.Length + body.Length];
        prefix.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data);
    }
}
