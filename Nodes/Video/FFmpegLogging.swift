import CFFmpeg

/// libx264 prints its settings and statistics at info level on every open and close; a pipeline's
/// log should show warnings and errors only. Evaluated once, before the first writer or reader opens.
let ffmpegLoggingConfigured: Void = {
    if av_log_get_level() > AV_LOG_WARNING { av_log_set_level(AV_LOG_WARNING) }
}()
