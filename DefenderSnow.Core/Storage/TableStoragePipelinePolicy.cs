using Azure.Core.Pipeline;

namespace DefenderSnow.Core.Storage;

/// <summary>
/// An extra Azure SDK pipeline policy for the Table Storage client, added per try (so every request that is sent
/// passes it). The app registers none; the benchmark registers one to count Table Storage operations.
/// </summary>
public sealed record TableStoragePipelinePolicy(HttpPipelinePolicy Policy);
