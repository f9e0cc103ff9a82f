//! JSON parsing that refuses what serde_json would quietly accept: a key given twice (serde_json
//! keeps the last, so a partner system and the gateway could read the same body differently),
//! and numbers too large to hold. Nesting deeper than serde_json's limit is refused too.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

#[derive(Debug)]
pub enum JsonError {
    /// Not JSON at all: 400.
    Syntax,
    /// JSON the gateway will not take: 422 with this field, code and message.
    Refused {
        field: String,
        code: &'static str,
        message: &'static str,
    },
}

struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Strict(v) = map.next_value()?;
            if out.contains_key(&key) {
                return Err(de::Error::custom("duplicate key"));
            }
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

pub fn parse(body: &[u8]) -> Result<Value, JsonError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let result = serde::Deserialize::deserialize(&mut de).and_then(|Strict(v)| de.end().map(|_| v));
    result.map_err(|e| {
        let text = e.to_string();
        let refused = |code, message| JsonError::Refused {
            field: String::new(),
            code,
            message,
        };
        if text.starts_with("duplicate key") {
            refused(
                "duplicate_key",
                "A key appears more than once in the same object",
            )
        } else if text.starts_with("recursion limit exceeded") {
            refused("too_deep", "The body is nested too deeply")
        } else if text.starts_with("number out of range") {
            refused("number_out_of_range", "A number is too large")
        } else {
            JsonError::Syntax
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_json_parses_as_serde_json_would() {
        let body = br#"{"form":"community","answers":{"a":["x",1,true,null,2.5]}}"#;
        assert_eq!(parse(body).ok(), serde_json::from_slice(body).ok());
    }

    #[test]
    fn duplicates_deep_nesting_and_huge_numbers_are_refused_not_guessed() {
        let code = |b: &[u8]| match parse(b) {
            Err(JsonError::Refused { code, .. }) => code,
            Err(JsonError::Syntax) => "syntax",
            Ok(_) => "ok",
        };
        assert_eq!(code(br#"{"a":1,"a":2}"#), "duplicate_key");
        assert_eq!(code(br#"{"x":{"a":1,"b":{"c":1,"c":1}}}"#), "duplicate_key");
        assert_eq!(
            code(format!("{}{}", "[".repeat(1000), "]".repeat(1000)).as_bytes()),
            "too_deep"
        );
        assert_eq!(code(b"[1e400]"), "number_out_of_range");
        assert_eq!(code(b"{\"a\":"), "syntax");
        assert_eq!(code(b"{} trailing"), "syntax");
        assert_eq!(code(b"\"\xff\""), "syntax");
    }
}
