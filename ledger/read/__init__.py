"""Read: what readers ask (results, disputes, verdicts, history, info). Never imports write or imports."""
