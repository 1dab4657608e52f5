using System.Globalization;
using System.Text;

namespace DefenderSnow.Simulators.Hosting;

/// <summary>
/// The opaque <c>$skiptoken</c> of the simulated Azure collections: an offset, base64-encoded so clients
/// treat it as opaque (as they must with the real services' tokens).
/// </summary>
public static class SkipToken
{
    private const string Prefix = "offset:";

    public static string Write(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Prefix}{offset}"));

    public static bool TryRead(string token, out int offset)
    {
        offset = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith(Prefix, StringComparison.Ordinal)
                && int.TryParse(text[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
