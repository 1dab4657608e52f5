using System.Diagnostics.CodeAnalysis;
using DefenderSnow.Core.Assignments;

namespace DefenderSnow.Core.Rules;

/// <summary>Rule ids have the shape of assignment ids (32 lower-case hex digits): safe as table keys and in a URL.</summary>
public static class RuleId
{
    public static string New() => AssignmentId.New();

    /// <summary>Anything else cannot name a rule, so it is "not found" without a read.</summary>
    public static bool IsWellFormed([NotNullWhen(true)] string? value) => AssignmentId.IsWellFormed(value);
}
