namespace DefenderSnow.Functions.Security;

/// <summary>Who called a function, as far as it is known; <see cref="Name"/> is recorded as createdBy / updatedBy.</summary>
public sealed record Caller(string? Name);
