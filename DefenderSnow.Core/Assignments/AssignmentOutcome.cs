namespace DefenderSnow.Core.Assignments;

/// <summary>What a create did: <see cref="Created"/> is false when the finding already had this live assignment.</summary>
public sealed record AssignmentOutcome(Assignment Assignment, bool Created);
