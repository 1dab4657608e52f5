using System.Text.RegularExpressions;
using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// ServiceNow's encoded queries have no escaping: a <c>^</c> in a value starts a new condition, a <c>,</c> in an
/// <c>IN</c> list adds a value, and a value starting with <c>javascript:</c> is run as a script. Every value placed
/// into <c>sysparm_query</c> passes through here first; anything unsafe is refused, never "cleaned".
/// </summary>
internal static partial class ServiceNowQueryValue
{
    /// <summary>Returns <paramref name="value"/> if it is safe as the operand of <c>=</c>, <c>STARTSWITH</c> and similar.</summary>
    public static string Single(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ValidationException(field, "A value is required.");
        }

        if (value.Contains('^', StringComparison.Ordinal))
        {
            throw new ValidationException(field, "The value must not contain '^'; ServiceNow would read it as part of the query.");
        }

        if (value.Any(char.IsControl))
        {
            throw new ValidationException(field, "The value must not contain control characters.");
        }

        if (value.TrimStart().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase))
        {
            throw new ValidationException(field, "The value must not start with 'javascript:'; ServiceNow would run it as a script.");
        }

        return value;
    }

    /// <summary>Returns the comma-joined operand of <c>IN</c> / <c>NOT IN</c> after checking every item.</summary>
    public static string List(IEnumerable<string> values, string field)
    {
        var items = values.ToList();
        if (items.Count == 0)
        {
            throw new ValidationException(field, "At least one value is required.");
        }

        foreach (var item in items)
        {
            Single(item, field);
            if (item.Contains(',', StringComparison.Ordinal))
            {
                throw new ValidationException(field, "A value in a list must not contain ','; ServiceNow would read it as two values.");
            }
        }

        return string.Join(',', items);
    }

    /// <summary>Whether <paramref name="value"/> may stand in an <c>IN</c> list (<see cref="List"/> would take it).</summary>
    public static bool IsListItem(string? value) =>
        !string.IsNullOrEmpty(value) && value.IndexOfAny([',', '^']) < 0 && !value.Any(char.IsControl)
        && !value.TrimStart().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns <paramref name="value"/> if it is a sys_id (32 lowercase hexadecimal characters).</summary>
    public static string SysId(string? value, string field)
    {
        if (value is null || !SysIdShape().IsMatch(value))
        {
            throw new ValidationException(field, "A sys_id is 32 hexadecimal characters.");
        }

        return value;
    }

    public static bool IsSysId(string? value) => value is not null && SysIdShape().IsMatch(value);

    [GeneratedRegex("^[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex SysIdShape();
}
