namespace Rill.Storage;

/// <summary>
/// Where a read copies record data to: buffers that stay valid until their owner is done with them (for the
/// broker, until the response that refers to them is written), so data read from a segment reaches the socket
/// without another copy. Storage only rents; the owner returns.
/// </summary>
public interface IReadBufferSource
{
    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes.</summary>
    byte[] RentReadBuffer(int minimumLength);
}
