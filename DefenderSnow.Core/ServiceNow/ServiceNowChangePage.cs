namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// One page of changed tickets, oldest change first. Apply the changes, then store <see cref="Next"/>;
/// read again with <see cref="Next"/> while <see cref="HasMore"/>. <see cref="HasMore"/> follows ServiceNow's
/// <c>Link</c> header, not the page's size: row-level ACLs can make a page short, or empty, while more follow.
/// </summary>
public sealed record ServiceNowChangePage(IReadOnlyList<ServiceNowTicket> Tickets, ServiceNowChangeCursor Next, bool HasMore);
