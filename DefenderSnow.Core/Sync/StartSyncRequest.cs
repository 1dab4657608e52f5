namespace DefenderSnow.Core.Sync;

/// <summary>The optional body of <c>POST /api/sync</c>.</summary>
public sealed record StartSyncRequest
{
    /// <summary>Only this integration; all when null.</summary>
    public string? IntegrationId { get; init; }

    /// <summary>A full pass (every live ticket by sys_id, deleted tickets found) instead of an incremental one.</summary>
    public bool? Full { get; init; }
}
