namespace DefenderSnow.Core.Assignments;

public enum AssignmentStatus
{
    /// <summary>Recorded, but the ticket or the governance assignment is not (known to be) written yet.</summary>
    Pending,
    Active,
    Closed,
}
