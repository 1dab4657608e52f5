namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// One page of changed tickets, oldest change first. Apply the changes, then store <see cref="Next"/>;
/// read again with <see cref="Next"/> while <see cref="HasMore"/>. <see cref="HasMore"/> follows ServiceNow's
/// <c>Link</c> header, not the page's size: row-level ACLs can make a page short, or empty, while more follow.
/// </summary>
/// <remarks>
/// Read like a <see cref="Storage.ResultPage{T}"/>, but its continuation is never null: after the last page,
/// <see cref="Next"/> is the watermark the next sync starts from, so the end is said by <see cref="HasMore"/>.
/// </remarks>
public sealed record ServiceNowChangePage(IReadOnlyList<ServiceNowTicket> Items, ServiceNowChangeCursor Next, bool HasMore);
