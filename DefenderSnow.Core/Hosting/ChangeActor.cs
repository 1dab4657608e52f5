namespace DefenderSnow.Core.Hosting;

/// <summary>Who a state change is recorded as made by (<c>updatedBy</c>, <c>deletedBy</c>) when no caller made it.</summary>
public static class ChangeActor
{
    /// <summary>
    /// Sync, ticket events and the deletion chain. A caller's name is what App Service authentication names (a user
    /// principal name with an <c>@</c>, or an object id), so it cannot be mistaken for this.
    /// </summary>
    public const string System = "system";
}
