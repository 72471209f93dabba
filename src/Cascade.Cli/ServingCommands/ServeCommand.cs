using System.CommandLine;
using Cascade.Serving.Bundles;
using Cascade.Serving.Http;
using Cascade.Serving.Online;

namespace Cascade.Cli.ServingCommands;

/// <summary>`cascade serve`: loads a bundle, replays the durable event log and serves the HTTP API on 127.0.0.1.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var bundle = new Option<string>("--bundle") { Description = "Bundle directory (cascade export / quickstart).", Required = true };
        var state = new Option<string?>("--state") { Description = "Directory of the durable event log (default: <bundle>.state)." };
        var config = new Option<string?>("--config") { Description = "Serving YAML (stage sizes and limits), e.g. configs/serving/default.yaml." };
        var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1 (0 = any free port).", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "Listen address.", DefaultValueFactory = _ => "127.0.0.1" };
        var token = new Option<string?>("--admin-token") { Description = "Token for POST /v1/ads/events (default: $CASCADE_ADMIN_TOKEN)." };
        var cmd = new Command("serve", "Serve a bundle over HTTP: /v1/recommend, /v1/ads/events, /v1/ads/{id}, /metrics, /healthz, /readyz, /openapi.json.")
        {
            bundle, state, config, port, host, token,
        };
        cmd.SetAction(async (parse, cancellation) =>
        {
            try
            {
                var dir = parse.GetValue(bundle)!;
                var options = parse.GetValue(config) is { } c ? ServingOptions.LoadFile(c) : new ServingOptions();
                var admin = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("CASCADE_ADMIN_TOKEN")
                    ?? throw new ArgumentException("an admin token is required: pass --admin-token or set CASCADE_ADMIN_TOKEN.");
                var server = await ServingHost.StartAsync(new ServingHostOptions(dir, parse.GetValue(state) ?? dir.TrimEnd('/', '\\') + ".state", admin, options,
                    parse.GetValue(port), parse.GetValue(host) ?? "127.0.0.1"), cancellation);
                Console.Error.WriteLine($"cascade serve: {server.Engine.AdCount} ads, {server.Replayed} events replayed; warmed up with {server.WarmupRequests} requests in {server.WarmupTime.TotalSeconds:0.0} s; listening on {server.BaseAddress} (Ctrl+C stops gracefully)");
                // Either System.CommandLine's token (Ctrl+C) or the ASP.NET host's own SIGTERM/SIGINT handling ends the wait.
                var signalled = Task.Delay(Timeout.Infinite, cancellation);
                await Task.WhenAny(signalled, server.WaitForShutdownAsync(CancellationToken.None));
                await server.StopAsync();
                Console.Error.WriteLine("cascade serve: stopped");
                return 0;
            }
            catch (Exception e) when (e is BundleException or ArgumentException or IOException or FormatException)
            {
                Console.Error.WriteLine($"cascade serve: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }
}
