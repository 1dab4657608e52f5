namespace DefenderSnow.Core.Storage;

/// <summary>
/// A stored row that cannot be read back into its model. Never guessed around: a row read wrongly (a
/// scope taken for another, a status defaulted) would be acted upon, so it fails loudly, naming the row.
/// Not a <see cref="Errors.DomainException"/>: the caller did nothing wrong, it is an internal error.
/// </summary>
public sealed class CorruptRowException : InvalidOperationException
{
    public CorruptRowException(string table, string partitionKey, string rowKey, string problem, Exception? innerException = null)
        : base($"Row '{rowKey}' of partition '{partitionKey}' in table '{table}' cannot be read: {problem}", innerException)
    {
        Table = table;
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    public string Table { get; }

    public string PartitionKey { get; }

    public string RowKey { get; }
}
