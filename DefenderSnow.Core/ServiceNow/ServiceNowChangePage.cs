namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// One page of changed tickets, oldest change first. Apply the changes, then store <see cref="Next"/>;
/// read again with <see cref="Next"/> while <see cref="HasMore"/>.
/// </summary>
public sealed record ServiceNowChangePage(IReadOnlyList<ServiceNowTicket> Tickets, ServiceNowChangeCursor Next, bool HasMore);
