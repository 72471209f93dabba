using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Cascade.Serving.NearLine;
using Cascade.Serving.Online;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Cascade.Serving.Http;

public sealed partial class ServingHost
{
    private const int MaxEventsPerRequest = 1000;

    // POST /v1/recommend {"features": {column: value, ...}, "count": 10}
    private async Task RecommendAsync(HttpContext ctx)
    {
        if (!_ready && !_warming) { await Problem(ctx, 503, "the server is not ready (starting or shutting down).").ConfigureAwait(false); return; }
        if (ThreadPool.PendingWorkItemCount > _options.Serving.MaxPendingWork || !_slots.Wait(0))
        {
            Metrics.CountShed();
            ctx.Response.Headers.RetryAfter = "1";
            await Problem(ctx, 429, $"overloaded (in flight limit {_options.Serving.MaxConcurrentRequests}, queued work limit {_options.Serving.MaxPendingWork}); retry later.").ConfigureAwait(false);
            return;
        }
        try
        {
            using var doc = await ReadJsonAsync(ctx).ConfigureAwait(false);
            if (doc is null) return;
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) { await Problem(ctx, 400, "the body must be a JSON object {\"features\": {...}, \"count\": n}.").ConfigureAwait(false); return; }
            Dictionary<string, object?>? features = null;
            int count = _options.Serving.DefaultCount;
            foreach (var p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "features":
                        try { features = AdJson.ReadFeatures(p.Value, "features"); }
                        catch (FormatException e) { await Problem(ctx, 400, e.Message).ConfigureAwait(false); return; }
                        break;
                    case "count":
                        if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out count) || count < 1 || count > _options.Serving.MaxCount)
                        { await Problem(ctx, 400, $"'count' must be an integer in 1..{_options.Serving.MaxCount}.").ConfigureAwait(false); return; }
                        break;
                    default:
                        await Problem(ctx, 400, $"unknown field '{p.Name}' (fields: features, count).").ConfigureAwait(false); return;
                }
            }
            if (features is null) { await Problem(ctx, 400, "'features' is required: an object of user and context features.").ConfigureAwait(false); return; }
            if (features.Count > _options.Serving.MaxFeatures) { await Problem(ctx, 400, $"{features.Count} features; at most {_options.Serving.MaxFeatures}.").ConfigureAwait(false); return; }
            if (Engine.Validator.CheckRequest(features) is { } error) { await Problem(ctx, 400, error).ConfigureAwait(false); return; }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token);
            deadline.CancelAfter(_options.Serving.DeadlineMs);
            RecommendResult result;
            try { result = Engine.Recommend(features, count, deadline.Token); }
            catch (FormatException e) { await Problem(ctx, 400, e.Message).ConfigureAwait(false); return; }
            catch (OperationCanceledException)
            {
                Metrics.CountDeadline();
                await Problem(ctx, 503, $"deadline of {_options.Serving.DeadlineMs} ms exceeded.").ConfigureAwait(false);
                return;
            }
            Metrics.RecordStages(result.Timings);
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json";
            WriteBody(ctx.Response, result);
            await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_body;
    [ThreadStatic] private static Utf8JsonWriter? t_json;

    // The response into a per-thread buffer (no awaits in between, so no other request can share it), then one copy
    // into Kestrel's pipe with a Content-Length: no writer or stream buffer allocated per request and no chunked
    // framing for the client to parse.
    private static void WriteBody(HttpResponse response, RecommendResult result)
    {
        var body = t_body ??= new ArrayBufferWriter<byte>(2048);
        body.ResetWrittenCount();
        var w = t_json ??= new Utf8JsonWriter(body);
        w.Reset(body);
        WriteResult(w, result);
        w.Flush();
        response.ContentLength = body.WrittenCount;
        var pipe = response.BodyWriter;
        body.WrittenSpan.CopyTo(pipe.GetSpan(body.WrittenCount));
        pipe.Advance(body.WrittenCount);
    }

    private static void WriteResult(Utf8JsonWriter w, RecommendResult r)
    {
        w.WriteStartObject();
        w.WriteStartArray("ads");
        foreach (var a in r.Ads)
        {
            w.WriteStartObject();
            w.WriteNumber("ad_id", a.AdId);
            w.WriteNumber("retrieval_score", a.RetrievalScore);
            w.WriteNumber("prerank_score", a.PrerankScore);
            w.WriteNumber("pctr", a.PCtr);
            w.WriteNumber("bid", a.Bid);
            w.WriteNumber("ecpm", a.Ecpm);
            w.WriteNumber("price", a.Price);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("funnel");
        w.WriteNumber("retrieved", r.Retrieved);
        w.WriteNumber("preranked", r.Preranked);
        w.WriteNumber("ranked", r.Ranked);
        w.WriteEndObject();
        w.WriteStartObject("timings_ms");
        w.WriteNumber("encode", r.Timings.EncodeMs);
        w.WriteNumber("retrieval", r.Timings.RetrievalMs);
        w.WriteNumber("prerank", r.Timings.PrerankMs);
        w.WriteNumber("rank", r.Timings.RankMs);
        w.WriteNumber("auction", r.Timings.AuctionMs);
        w.WriteNumber("total", r.Timings.TotalMs);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    // POST /v1/ads/events: one event object or {"events": [...]}; Authorization: Bearer <admin token>.
    private async Task EventsAsync(HttpContext ctx)
    {
        string? auth = ctx.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(auth) || !auth.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
            await Problem(ctx, 401, "missing admin token: send 'Authorization: Bearer <token>'.").ConfigureAwait(false);
            return;
        }
        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(auth[7..]), _token))
        { await Problem(ctx, 403, "wrong admin token.").ConfigureAwait(false); return; }
        if (!_ready) { await Problem(ctx, 503, "the server is not ready (starting or shutting down).").ConfigureAwait(false); return; }

        using var doc = await ReadJsonAsync(ctx).ConfigureAwait(false);
        if (doc is null) return;
        var root = doc.RootElement;
        var events = new List<AdEvent>();
        long received = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("events", out var arr))
            {
                if (arr.ValueKind != JsonValueKind.Array) throw new FormatException("'events' must be an array.");
                if (arr.GetArrayLength() > MaxEventsPerRequest) throw new FormatException($"{arr.GetArrayLength()} events; at most {MaxEventsPerRequest} per request.");
                int i = 0;
                foreach (var e in arr.EnumerateArray())
                {
                    try { events.Add(AdEvent.Parse(e) with { ReceivedTimestamp = received }); }
                    catch (FormatException ex) { throw new FormatException($"events[{i}]: {ex.Message}", ex); }
                    i++;
                }
            }
            else events.Add(AdEvent.Parse(root) with { ReceivedTimestamp = received });
        }
        catch (FormatException e) { await Problem(ctx, 400, e.Message).ConfigureAwait(false); return; }
        for (int i = 0; i < events.Count; i++)
        {
            if (events[i].Validate(Engine) is { } error)
            { await Problem(ctx, 400, events.Count == 1 ? error : $"events[{i}]: {error}").ConfigureAwait(false); return; }
        }

        var pending = new List<Task>(events.Count);
        foreach (var e in events)
        {
            var t = Log.TryAppend(e);
            if (t is null)
            {
                await Task.WhenAll(pending).ConfigureAwait(false);
                ctx.Response.Headers.RetryAfter = "1";
                await Problem(ctx, 503, $"event queue full ({_options.Serving.EventQueueCapacity}); {pending.Count} of {events.Count} events were accepted, resend the rest.").ConfigureAwait(false);
                return;
            }
            pending.Add(t);
        }
        await Task.WhenAll(pending).ConfigureAwait(false);
        ctx.Response.StatusCode = 202;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync($"{{\"accepted\":{events.Count}}}").ConfigureAwait(false);
    }

    // GET /v1/ads/{id}
    private async Task GetAdAsync(HttpContext ctx)
    {
        var text = ctx.Request.RouteValues["id"] as string;
        if (!long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long id))
        { await Problem(ctx, 400, $"ad id '{text}' is not an integer.").ConfigureAwait(false); return; }
        var ad = Engine.GetAd(id);
        if (ad is null) { await Problem(ctx, 404, $"ad {id} not found.").ConfigureAwait(false); return; }
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(ctx.Response.Body);
        w.WriteStartObject();
        w.WriteNumber("ad_id", ad.Id);
        w.WriteNumber("version", ad.Version);
        w.WriteNumber("bid", ad.Bid);
        w.WriteNumber("budget", ad.Budget);
        w.WriteBoolean("paused", ad.Paused);
        w.WriteBoolean("eligible", ad.Eligible);
        w.WriteBoolean("indexed", Engine.Index.Contains(ad.Id));
        w.WritePropertyName("features");
        AdJson.WriteFeatures(w, ad.Features);
        w.WriteEndObject();
    }

    // Reads the body as JSON, answering 413 (too large) or 400 (malformed) itself; null when it did.
    private async Task<JsonDocument?> ReadJsonAsync(HttpContext ctx)
    {
        int limit = _options.Serving.MaxBodyBytes;
        if (ctx.Request.ContentLength > limit)
        { await Problem(ctx, 413, $"body of {ctx.Request.ContentLength} bytes exceeds the limit of {limit} bytes.").ConfigureAwait(false); return null; }
        try
        {
            return await JsonDocument.ParseAsync(ctx.Request.Body, new JsonDocumentOptions { MaxDepth = 16 }, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await Problem(ctx, 400, $"malformed JSON: {e.Message}").ConfigureAwait(false);
            return null;
        }
        catch (BadHttpRequestException e)
        {
            await Problem(ctx, e.StatusCode, e.StatusCode == 413 ? $"body exceeds the limit of {limit} bytes." : e.Message).ConfigureAwait(false);
            return null;
        }
    }

    private static async Task Problem(HttpContext ctx, int status, string detail)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/problem+json";
        await using var w = new Utf8JsonWriter(ctx.Response.Body);
        w.WriteStartObject();
        w.WriteNumber("status", status);
        w.WriteString("title", ReasonPhrases.GetReasonPhrase(status));
        w.WriteString("detail", detail);
        w.WriteEndObject();
    }
}
