using System.Globalization;

namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// ServiceNow's encoded query: conditions joined by <c>^</c> (AND), <c>^OR</c> (OR with the condition before),
/// <c>^NQ</c> (a new OR'ed group), plus <c>ORDERBY</c>/<c>ORDERBYDESC</c>. There is no escaping. As on a real
/// instance, a condition on an unknown field or with an unknown operator is silently ignored. Operators as
/// documented in "Operators available for filters and queries" (docs.servicenow.com), e.g. <c>NOT LIKE</c> with its space.
/// </summary>
internal sealed class EncodedQuery
{
    private static readonly string[] Operators =
        ["ISNOTEMPTY", "ISEMPTY", "NOT IN", "NOT LIKE", "IN", "LIKE", "STARTSWITH", "ENDSWITH", "!=", ">=", "<=", "=", ">", "<"];

    private EncodedQuery(List<List<List<Condition>>> groups, List<(string Field, bool Descending)> order)
    {
        Groups = groups;
        Order = order;
    }

    /// <summary>Groups (OR'ed by ^NQ) of terms (AND'ed) of alternatives (OR'ed by ^OR).</summary>
    public List<List<List<Condition>>> Groups { get; }

    public List<(string Field, bool Descending)> Order { get; }

    public static EncodedQuery Parse(string? text)
    {
        var groups = new List<List<List<Condition>>> { new() };
        var order = new List<(string, bool)>();
        if (string.IsNullOrEmpty(text))
        {
            return new EncodedQuery(groups, order);
        }

        foreach (var raw in text.Split('^'))
        {
            var token = raw;
            if (token.Length == 0 || token == "EQ")
            {
                continue;
            }

            if (token.StartsWith("ORDERBYDESC", StringComparison.Ordinal))
            {
                order.Add((token["ORDERBYDESC".Length..], true));
                continue;
            }

            if (token.StartsWith("ORDERBY", StringComparison.Ordinal))
            {
                order.Add((token["ORDERBY".Length..], false));
                continue;
            }

            var terms = groups[^1];
            if (StartsWithKeyword(token, "NQ"))
            {
                terms = [];
                groups.Add(terms);
                token = token[2..];
            }
            else if (StartsWithKeyword(token, "OR") && terms.Count > 0)
            {
                terms[^1].Add(Condition.Parse(token[2..]));
                continue;
            }

            terms.Add([Condition.Parse(token)]);
        }

        return new EncodedQuery(groups, order);
    }

    /// <summary>
    /// The same query with its date-time values (<c>yyyy-MM-dd HH:mm:ss</c> compared with a date-time field) read as
    /// local times of <paramref name="zone"/> and turned into UTC, as an instance reads them in the API user's time zone
    /// while its answers stay in UTC.
    /// </summary>
    public EncodedQuery WithDatesIn(TimeZoneInfo zone) =>
        new([.. Groups.Select(terms => terms.Select(alternatives => alternatives.Select(c => c.WithDateIn(zone)).ToList()).ToList())], Order);

    /// <summary>
    /// Whether a record matches. <paramref name="resolve"/> gives a (dot-walked) field's value, or <c>null</c>
    /// when the field does not exist.
    /// </summary>
    public bool Matches(Func<string, string?> resolve)
    {
        return Groups.Any(terms => terms.All(alternatives =>
        {
            var evaluated = alternatives
                .Select(c => c.Evaluate(resolve))
                .Where(result => result is not null)
                .ToList();
            return evaluated.Count == 0 || evaluated.Any(result => result == true);
        }));
    }

    public static int Compare(string? left, string? right)
    {
        if (decimal.TryParse(left, NumberStyles.Number, CultureInfo.InvariantCulture, out var l)
            && decimal.TryParse(right, NumberStyles.Number, CultureInfo.InvariantCulture, out var r))
        {
            return l.CompareTo(r);
        }

        return string.Compare(left ?? string.Empty, right ?? string.Empty, StringComparison.OrdinalIgnoreCase);
    }

    private static bool StartsWithKeyword(string token, string keyword) =>
        token.Length > keyword.Length && token.StartsWith(keyword, StringComparison.Ordinal) && !char.IsUpper(token[keyword.Length]);

    internal sealed record Condition(string Field, string? Operator, string Value)
    {
        public static Condition Parse(string text)
        {
            var end = 0;
            while (end < text.Length && (char.IsAsciiLetterLower(text[end]) || char.IsAsciiDigit(text[end]) || text[end] is '_' or '.'))
            {
                end++;
            }

            var rest = text[end..];
            var op = Operators.FirstOrDefault(o => rest.StartsWith(o, StringComparison.Ordinal));
            return new Condition(text[..end], op, op is null ? rest : rest[op.Length..]);
        }

        public Condition WithDateIn(TimeZoneInfo zone)
        {
            if (!SimTables.DateTimeFields.Contains(Field.Split('.')[^1])
                || !DateTime.TryParseExact(Value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                return this;
            }

            try
            {
                // An ambiguous local time (the hour repeated when clocks go back) is read as standard time, the later instant.
                var utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
                return this with { Value = utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) };
            }
            catch (ArgumentException)
            {
                // A local time that does not exist (skipped when clocks go forward) matches as written.
                return this;
            }
        }

        /// <summary><c>null</c> when the condition is invalid and therefore ignored.</summary>
        public bool? Evaluate(Func<string, string?> resolve)
        {
            if (Operator is null || Field.Length == 0)
            {
                return null;
            }

            var actual = resolve(Field);
            if (actual is null)
            {
                return null;
            }

            return Operator switch
            {
                "=" => Equal(actual, Value),
                "!=" => !Equal(actual, Value),
                "IN" => Value.Split(',').Any(v => Equal(actual, v)),
                "NOT IN" => !Value.Split(',').Any(v => Equal(actual, v)),
                "LIKE" => actual.Contains(Value, StringComparison.OrdinalIgnoreCase),
                "NOT LIKE" => !actual.Contains(Value, StringComparison.OrdinalIgnoreCase),
                "STARTSWITH" => actual.StartsWith(Value, StringComparison.OrdinalIgnoreCase),
                "ENDSWITH" => actual.EndsWith(Value, StringComparison.OrdinalIgnoreCase),
                "ISEMPTY" => actual.Length == 0,
                "ISNOTEMPTY" => actual.Length > 0,
                ">" => actual.Length > 0 && Compare(actual, Value) > 0,
                ">=" => actual.Length > 0 && Compare(actual, Value) >= 0,
                "<" => actual.Length > 0 && Compare(actual, Value) < 0,
                "<=" => actual.Length > 0 && Compare(actual, Value) <= 0,
                _ => null,
            };
        }

        private static bool Equal(string actual, string expected) => string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase);
    }
}
