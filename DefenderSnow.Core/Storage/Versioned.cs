using Azure;

namespace DefenderSnow.Core.Storage;

/// <summary>A stored value with the ETag it was read with; updates must present it back.</summary>
public sealed record Versioned<T>(T Value, ETag ETag);
