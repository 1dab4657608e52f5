using System.Globalization;
using System.Text;

namespace DefenderSnow.Core.Errors;

/// <summary>
/// Text from outside (a route id, a JSON member name, ServiceNow's error text) may carry CR/LF and other control
/// characters: raw, they forge log lines in text sinks and split header-like fields. Where such text becomes a log
/// message or a problem detail, each control character is written as <c>\uXXXX</c>, so it stays visible and harmless.
/// </summary>
public static class ControlCharacters
{
    /// <returns><paramref name="value"/> with every control character (C0, DEL, C1) as <c>\uXXXX</c>; the same instance when it has none.</returns>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Any(char.IsControl))
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                escaped.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }
}
