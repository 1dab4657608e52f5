using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Assignments;

/// <summary>The finding already has a live assignment; <see cref="ExistingAssignmentId"/> names it.</summary>
public sealed class FindingAlreadyAssignedException : DomainException
{
    public FindingAlreadyAssignedException(string existingAssignmentId, Exception? innerException = null)
        : base($"This finding already has a live assignment, '{existingAssignmentId}'.", innerException)
    {
        ExistingAssignmentId = existingAssignmentId;
    }

    public string ExistingAssignmentId { get; }

    public override DomainErrorKind Kind => DomainErrorKind.Conflict;

    public override string Title => "Conflict";
}
