namespace DefenderSnow.Core.Assignments;

/// <summary>Defender's governance e-mails for an assignment.</summary>
public sealed record EmailNotifications(bool NotifyOwner, bool NotifyManager);
