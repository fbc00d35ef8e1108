#pragma once
// The engine's view (TokenScheme, SequenceCursor) of the tokens library's REMI and event tokenizers:
// their grammar for legality, plus musical time (bar index, seconds) followed token by token.

#include <memory>

#include "generate/token_scheme.hpp"
#include "tokens/tokenizer.hpp"

namespace spe::generate {

// The scheme of `tokenizer` (which must outlive the result). Throws std::invalid_argument for a scheme
// other than "remi" or "event".
std::unique_ptr<TokenScheme> make_token_scheme(const tokens::Tokenizer& tokenizer);

}  // namespace spe::generate
