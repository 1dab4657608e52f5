using DefenderSnow.Core.Defender;

namespace DefenderSnow.Tests.Defender;

public class TicketNumberTests
{
    [TestCase("INC0010042", 10042)]
    [TestCase("PRB0000001", 1)]
    [TestCase("CHG0000000", 0)]
    [TestCase("INC2147483647", int.MaxValue)]
    public void A_ticket_number_becomes_its_numeric_part(string ticketNumber, int expected)
    {
        Assert.That(TicketNumber.ToGovernanceNumber(ticketNumber), Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("INC")]
    [TestCase("INC00100a2")]
    [TestCase("INC-0010042")]
    [TestCase("INC2147483648")]
    [TestCase("INC 0010042")]
    public void A_number_without_digits_or_beyond_int32_is_refused(string ticketNumber)
    {
        Assert.Multiple(() =>
        {
            Assert.That(TicketNumber.TryToGovernanceNumber(ticketNumber, out _), Is.False);
            Assert.Throws<ArgumentException>(() => TicketNumber.ToGovernanceNumber(ticketNumber));
        });
    }
}
