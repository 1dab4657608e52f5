using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Rules;

/// <summary>The rules of integrations in Table Storage, one partition per integration.</summary>
public interface IRuleStore
{
    /// <exception cref="Errors.ConflictException">A rule with that id exists.</exception>
    Task<Versioned<Rule>> AddAsync(Rule rule, CancellationToken cancellationToken);

    Task<Versioned<Rule>?> GetAsync(string integrationId, string ruleId, CancellationToken cancellationToken);

    /// <summary>A page of an integration's rules, in id order.</summary>
    Task<ResultPage<Rule>> ListAsync(string integrationId, int pageSize, string? continuationToken, CancellationToken cancellationToken);

    /// <summary>Every rule of an integration, in evaluation order (priority, then creation time, then id).</summary>
    Task<IReadOnlyList<Rule>> ListAllAsync(string integrationId, CancellationToken cancellationToken);

    /// <summary>Replaces the stored rule if it still has <see cref="Versioned{T}.ETag"/>.</summary>
    /// <exception cref="Errors.ConcurrencyException">Changed or deleted by someone else since it was read.</exception>
    Task<Versioned<Rule>> UpdateAsync(Versioned<Rule> rule, CancellationToken cancellationToken);

    /// <exception cref="Errors.ConcurrencyException">Changed or deleted by someone else since it was read.</exception>
    Task DeleteAsync(Versioned<Rule> rule, CancellationToken cancellationToken);

    /// <summary>Removes every rule of an integration (its delete); rules already gone are fine.</summary>
    Task DeleteAllAsync(string integrationId, CancellationToken cancellationToken);
}
