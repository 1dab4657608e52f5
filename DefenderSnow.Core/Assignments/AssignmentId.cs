using System.Diagnostics.CodeAnalysis;

namespace DefenderSnow.Core.Assignments;

/// <summary>
/// Assignment ids are 32 lower-case hex digits: safe as a table key, as a ServiceNow <c>correlation_id</c> and as a
/// Defender governance assignment key, which all three carry it.
/// </summary>
public static class AssignmentId
{
    public static string New() => Guid.NewGuid().ToString("N");

    /// <summary>Anything else cannot name an assignment, so it is "not found" without a read.</summary>
    public static bool IsWellFormed([NotNullWhen(true)] string? value) =>
        value is { Length: 32 } && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
