using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Storage;

namespace TrialManager.Testing;

/// <summary>A message as the SMTP server received it: the envelope's recipients and the parsed message.</summary>
public sealed record ReceivedEmail(IReadOnlyList<string> EnvelopeTo, MimeMessage Message);

/// <summary>A real SMTP server (the SmtpServer package) in the test process, on a loopback port, that keeps what it receives.</summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private SmtpSink(int port, string user, string password)
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)).AllowUnsecureAuthentication(true).AuthenticationRequired(true))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(Received));
        services.Add(new Authenticator(user, password));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public ConcurrentQueue<ReceivedEmail> Received { get; } = new();

    /// <summary>Starts listening on the port (the server under test is told it before this may run).</summary>
    public static async Task<SmtpSink> StartAsync(int port, string user, string password)
    {
        var sink = new SmtpSink(port, user, password);
        // Listening once a connection is accepted.
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return sink;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"The test SMTP server did not listen on {port}.");
    }

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private sealed class Store(ConcurrentQueue<ReceivedEmail> received) : MessageStore
    {
        public override Task<SmtpServer.Protocol.SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            received.Enqueue(new ReceivedEmail([.. transaction.To.Select(m => $"{m.User}@{m.Host}")], MimeMessage.Load(stream, cancellationToken)));
            return Task.FromResult(SmtpServer.Protocol.SmtpResponse.Ok);
        }
    }

    private sealed class Authenticator(string user, string password) : UserAuthenticator
    {
        public override Task<bool> AuthenticateAsync(ISessionContext context, string u, string p, CancellationToken cancellationToken) =>
            Task.FromResult(u == user && p == password);
    }
}

/// <summary>A webhook request as received: its headers and its raw body.</summary>
public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The receiver's check, written here from the documented scheme rather than with the server's signer.</summary>
    public bool SignatureVerifies(string secret)
    {
        if (!Headers.TryGetValue("X-TrialManager-Timestamp", out var timestamp) || !Headers.TryGetValue("X-TrialManager-Signature", out var signature))
        {
            return false;
        }

        byte[] signed = [.. Encoding.UTF8.GetBytes(timestamp + "."), .. Body];
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes("sha256=" + Convert.ToHexStringLower(mac)), Encoding.ASCII.GetBytes(signature));
    }
}

/// <summary>An HTTP listener on a loopback port that keeps every POST and answers 204.</summary>
public sealed class WebhookSink : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _running;

    public WebhookSink(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _running = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            Received.Enqueue(new ReceivedWebhook(
                context.Request.Url!.PathAndQuery,
                context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase),
                body.ToArray()));
            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _running.Wait(TimeSpan.FromSeconds(5));
    }
}
