#pragma once
// What the generation engine needs from a token scheme (REMI or event tokens): the legal next tokens,
// and where a sequence is in musical time (bars, seconds) so that lengths can be given in bars or seconds
// and snapshots taken at bar boundaries. scheme_adapter.hpp implements it on the tokens library.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace spe::generate {

// Follows one token sequence. Cloneable so that every candidate, and every snapshot, has its own.
class SequenceCursor {
 public:
  virtual ~SequenceCursor() = default;
  virtual std::unique_ptr<SequenceCursor> clone() const = 0;
  // mask[t] = 1 when t may come next (mask has vocab_size entries).
  virtual void allowed(std::vector<std::uint8_t>& mask) const = 0;
  // Consumes a token. Returns false (state unchanged) when the token is not legal here.
  virtual bool advance(int token) = 0;
  // 0-based index of the bar the sequence's time is in (-1 before the first bar of a REMI sequence).
  virtual int bar_index() const = 0;
  // True when nothing has happened yet in the current bar (just after REMI's Bar token, or an event
  // sequence whose time sits exactly on a barline): a continuation starts a fresh bar here.
  virtual bool at_bar_start() const = 0;
  virtual double seconds() const = 0;  // musical time reached, in seconds (tempo-aware)
  virtual bool ended() const = 0;      // an end-of-sequence token was consumed
  // Once a take has its length, it is closed cleanly (so it decodes without repair): this clears in
  // `mask` every token that does not lead towards the end-of-sequence token (e.g. new notes).
  virtual void restrict_to_ending(std::vector<std::uint8_t>& mask) const = 0;
};

class TokenScheme {
 public:
  virtual ~TokenScheme() = default;
  virtual std::string name() const = 0;  // "remi" or "event"
  virtual int vocab_size() const = 0;
  virtual std::vector<int> start_tokens() const = 0;  // the prompt of a take "from scratch"
  virtual std::unique_ptr<SequenceCursor> make_cursor() const = 0;
  // Fed to the model for rows whose sequence has ended while other candidates continue.
  virtual int filler_token() const = 0;
  // The end-of-sequence token (-1: none). Masked out when a take must not end early.
  virtual int end_token() const = 0;
  virtual std::string token_name(int token) const = 0;
};

}  // namespace spe::generate
