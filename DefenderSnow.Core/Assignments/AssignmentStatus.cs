using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Assignments;

public enum AssignmentStatus
{
    /// <summary>Recorded, but the ticket or the governance assignment is not (known to be) written yet.</summary>
    [ContractName("pending")]
    Pending,
    [ContractName("active")]
    Active,
    [ContractName("closed")]
    Closed,
}
