using DefenderSnow.Core.Access;

namespace DefenderSnow.Functions.Security;

/// <summary>
/// Who called a function, as far as it is known; <see cref="Name"/> is recorded as createdBy / updatedBy, and
/// <see cref="Access"/> decides which integrations the call may reach.
/// </summary>
public sealed record Caller(string? Name, CallerAccess Access);
