using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Assignments;

/// <summary>Assignments in Table Storage, with at most one live assignment per finding.</summary>
public interface IAssignmentStore
{
    /// <summary>
    /// Inserts the assignment together with its finding key, atomically.
    /// </summary>
    /// <exception cref="FindingAlreadyAssignedException">The finding already has a live assignment.</exception>
    Task<Versioned<Assignment>> AddAsync(Assignment assignment, CancellationToken cancellationToken);

    /// <summary>The assignment with this id, whichever integration holds it: two point reads (its lookup row, then the assignment).</summary>
    Task<Versioned<Assignment>?> FindAsync(string assignmentId, CancellationToken cancellationToken);

    Task<Versioned<Assignment>?> GetAsync(string integrationId, string assignmentId, CancellationToken cancellationToken);

    /// <summary>The live assignment of a finding, if any.</summary>
    Task<Versioned<Assignment>?> FindLiveAsync(string integrationId, string assessmentName, string resourceId, CancellationToken cancellationToken);

    /// <summary>Replaces the stored assignment if it still has <see cref="Versioned{T}.ETag"/>.</summary>
    /// <exception cref="Errors.ConcurrencyException">Someone else changed it first.</exception>
    Task<Versioned<Assignment>> UpdateAsync(Versioned<Assignment> assignment, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the assignment closed and frees its finding for a new assignment, in one transaction.
    /// </summary>
    /// <exception cref="Errors.ConcurrencyException">Someone else changed it first.</exception>
    Task<Versioned<Assignment>> CloseAsync(Versioned<Assignment> assignment, ClosedReason reason, DateTimeOffset closedAt, CancellationToken cancellationToken);

    Task<ResultPage<Assignment>> ListAsync(AssignmentQuery query, int pageSize, string? continuationToken, CancellationToken cancellationToken);

    /// <summary>Every pending or active assignment of an integration, with ETags, page by page.</summary>
    IAsyncEnumerable<Versioned<Assignment>> ListLiveAsync(string integrationId, CancellationToken cancellationToken);

    /// <summary>
    /// The live (pending or active) assignments sharing the ticket of group <paramref name="groupId"/>; for an id that
    /// names no group of the integration (another integration's ticket), none, after one point read rather than a scan.
    /// </summary>
    Task<IReadOnlyList<Versioned<Assignment>>> ListLiveGroupAsync(string integrationId, string groupId, CancellationToken cancellationToken);

    /// <summary>Every closed assignment of an integration, page by page (the history rules consult for recurring findings).</summary>
    IAsyncEnumerable<Assignment> ListClosedAsync(string integrationId, CancellationToken cancellationToken);

    /// <summary>How many pending or active assignments an integration has (reads keys only).</summary>
    Task<int> CountLiveAsync(string integrationId, CancellationToken cancellationToken);
}
