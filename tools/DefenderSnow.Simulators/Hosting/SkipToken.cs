using System.Globalization;
using System.Text;

namespace DefenderSnow.Simulators.Hosting;

/// <summary>
/// The opaque <c>$skiptoken</c> of the simulated Azure collections: an offset, base64-encoded so clients
/// treat it as opaque (as they must with the real services' tokens). A token may also stand for the empty
/// page the Resource Manager simulator serves before an offset (<c>NextLinkShape.EmptyPageWithLink</c>).
/// </summary>
public static class SkipToken
{
    private const string Prefix = "offset:";
    private const string EmptyPrefix = "empty:";

    public static string Write(int offset) => Encode($"{Prefix}{offset}");

    /// <summary>The token of an empty page whose own <c>nextLink</c> leads on to <paramref name="offset"/>.</summary>
    public static string WriteEmptyPageBefore(int offset) => Encode($"{EmptyPrefix}{offset}");

    public static bool TryRead(string token, out int offset) => TryRead(token, out offset, out var emptyPage) && !emptyPage;

    public static bool TryRead(string token, out int offset, out bool emptyPage)
    {
        offset = 0;
        emptyPage = false;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var prefix = text.StartsWith(Prefix, StringComparison.Ordinal) ? Prefix
                : text.StartsWith(EmptyPrefix, StringComparison.Ordinal) ? EmptyPrefix
                : null;
            emptyPage = prefix == EmptyPrefix;
            return prefix is not null && int.TryParse(text[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Encode(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
