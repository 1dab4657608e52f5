namespace DefenderSnow.Core.Assignments;

/// <summary>The recommendation behind an assignment, as its metadata described it.</summary>
public sealed record Recommendation(string? DisplayName, string? Severity);
