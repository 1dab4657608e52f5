using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Assignments;

/// <summary>
/// Identifies a finding (one recommendation on one resource) inside an integration's partition.
/// ARM ids and assessment names are case-insensitive, so both are folded before hashing.
/// </summary>
public static class FindingKey
{
    public const string RowKeyPrefix = "finding-";

    public static string For(string assessmentName, string resourceId) =>
        RowKeyPrefix + StorageKeys.Hash(assessmentName.Trim().ToLowerInvariant(), resourceId.Trim().TrimEnd('/').ToLowerInvariant());
}
