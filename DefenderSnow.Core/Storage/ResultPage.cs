namespace DefenderSnow.Core.Storage;

/// <summary>One page of a listing; <see cref="ContinuationToken"/> is null on the last page.</summary>
public sealed record ResultPage<T>(IReadOnlyList<T> Items, string? ContinuationToken);
