using System.Diagnostics.CodeAnalysis;

namespace DefenderSnow.Core.Rules;

/// <summary>Rule ids are 32 lower-case hex digits, like assignment ids: safe as table keys and in a URL.</summary>
public static class RuleId
{
    public static string New() => Guid.NewGuid().ToString("N");

    /// <summary>Anything else cannot name a rule, so it is "not found" without a read.</summary>
    public static bool IsWellFormed([NotNullWhen(true)] string? value) =>
        value is { Length: 32 } && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
