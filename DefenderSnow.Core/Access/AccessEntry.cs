namespace DefenderSnow.Core.Access;

/// <summary>
/// One line of an integration's access list: the Entra object id of a user, group or service principal, and the
/// roles (<see cref="AccessRoles"/>) it holds on the integration.
/// </summary>
public sealed record AccessEntry(string PrincipalId, IReadOnlyList<string> Roles);
