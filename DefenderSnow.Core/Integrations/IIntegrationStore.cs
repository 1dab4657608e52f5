using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Integrations;

/// <summary>Integrations in Table Storage, with names unique within a scope.</summary>
public interface IIntegrationStore
{
    /// <summary>
    /// Holds a name of a scope for an integration about to be created, before anything is written for it.
    /// A reservation left pending longer than <see cref="NameReservation.StaleAfter"/> (a create that
    /// died) is taken over.
    /// </summary>
    /// <exception cref="Errors.ConflictException">The name is taken, or held by a create in progress.</exception>
    Task<NameReservation> ReserveNameAsync(string scopeId, string name, string integrationId, CancellationToken cancellationToken);

    /// <summary>Gives up a reservation whose create failed; one that was taken over meanwhile is left alone.</summary>
    Task ReleaseNameAsync(NameReservation reservation, CancellationToken cancellationToken);

    /// <summary>Inserts the integration and makes its name reservation final, in one transaction.</summary>
    /// <exception cref="Errors.ConflictException">The reservation was lost (taken over), or the id exists.</exception>
    Task<Versioned<Integration>> AddAsync(Integration integration, NameReservation reservation, CancellationToken cancellationToken);

    Task<Versioned<Integration>?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces the integration if it still has the given ETag; a rename moves its name reservation in the same transaction.</summary>
    /// <exception cref="Errors.ConcurrencyException">Changed or deleted by someone else since it was read.</exception>
    /// <exception cref="Errors.ConflictException">The new name is taken in that scope.</exception>
    Task<Versioned<Integration>> UpdateAsync(Versioned<Integration> integration, string previousName, CancellationToken cancellationToken);

    /// <exception cref="Errors.ConcurrencyException">Changed or deleted by someone else since it was read.</exception>
    Task DeleteAsync(Versioned<Integration> integration, CancellationToken cancellationToken);

    /// <summary>Whether another integration of the scope already uses the name (compared without case).</summary>
    Task<bool> IsNameTakenAsync(string scopeId, string name, CancellationToken cancellationToken);

    /// <summary>Integrations, optionally of one scope only, a page at a time, in id order.</summary>
    Task<ResultPage<Integration>> ListAsync(string? scopeId, int pageSize, string? continuationToken, CancellationToken cancellationToken);
}
