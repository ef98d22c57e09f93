//! The one implementation behind every generated API enum.
//!
//! `cargo xtask codegen` writes each `type: string` + `enum` schema as one [`api_enum!`]
//! invocation (its variants, their wire strings and docs); the type, its `Unknown(String)`
//! variant and its impls are written once, here.

/// Declares an extensible API enum: one variant per known wire string plus `Unknown(String)`,
/// which keeps a value this SDK does not know yet and writes it back as sent.
///
/// The enum gets `as_str` (the wire string), `Display` (the same), `From<&str>` and
/// `FromStr` (infallible: known strings map to their variant, anything else to `Unknown`), and
/// serde impls that read and write a string. Deserializing asks for a string
/// (`deserialize_str`), never `deserialize_any`, so serde_json's `arbitrary_precision` changes
/// nothing.
///
/// ```ignore
/// crate::enums::api_enum! {
///     /// The state of a widget.
///     pub enum WidgetStatus {
///         /// On sale.
///         Active = "ACTIVE",
///         /// `SOLD_OUT`.
///         SoldOut = "SOLD_OUT",
///     }
/// }
/// ```
macro_rules! api_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $value:literal,
            )+
        }
    ) => {
        $(#[$meta])*
        ///
        /// Values this SDK does not know yet are kept in `Unknown` and written back unchanged.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )+
            /// A value this SDK does not know yet, kept as sent.
            ///
            /// Do not build it with a known value (`Unknown("...")` of a listed value): it would serialize the same but not compare equal to the variant. Parse with `from`/`parse` instead, which maps known values to their variants.
            Unknown(String),
        }

        impl $name {
            /// The wire string of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)+
                    Self::Unknown(value) => value,
                }
            }

            fn known(value: &str) -> Option<Self> {
                match value {
                    $($value => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::known(value).unwrap_or_else(|| Self::Unknown(value.to_owned()))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;

                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " string"))
                    }

                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> Result<$name, E> {
                        Ok($name::from(value))
                    }

                    fn visit_string<E: ::serde::de::Error>(self, value: String) -> Result<$name, E> {
                        Ok(match $name::known(&value) {
                            Some(known) => known,
                            None => $name::Unknown(value),
                        })
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

pub(crate) use api_enum;

#[cfg(test)]
mod tests {
    api_enum! {
        /// A test enum.
        pub enum Shade {
            /// Light.
            Light = "LIGHT",
            /// `dark-grey`.
            DarkGrey = "dark-grey",
        }
    }

    #[test]
    fn known_values_map_to_their_variants() {
        assert_eq!(Shade::from("LIGHT"), Shade::Light);
        assert_eq!("dark-grey".parse::<Shade>(), Ok(Shade::DarkGrey));
        assert_eq!(Shade::DarkGrey.as_str(), "dark-grey");
        assert_eq!(Shade::Light.to_string(), "LIGHT");
        assert_eq!(Shade::from("light"), Shade::Unknown("light".to_owned()));
    }

    #[test]
    fn serde_keeps_unknown_values_as_sent() {
        let shades: Vec<Shade> = serde_json::from_str(r#"["LIGHT", "dark-grey", "NEON"]"#).unwrap();
        assert_eq!(
            shades,
            [
                Shade::Light,
                Shade::DarkGrey,
                Shade::Unknown("NEON".to_owned())
            ]
        );
        assert_eq!(Shade::Unknown("NEON".to_owned()).to_string(), "NEON");
        assert_eq!(
            serde_json::to_string(&shades).unwrap(),
            r#"["LIGHT","dark-grey","NEON"]"#
        );
        // Borrowed (visit_str) and owned (visit_string) input decode alike.
        let owned: Shade = serde_json::from_value(serde_json::json!("NEON")).unwrap();
        assert_eq!(owned, Shade::Unknown("NEON".to_owned()));
        let known: Shade = serde_json::from_value(serde_json::json!("LIGHT")).unwrap();
        assert_eq!(known, Shade::Light);
    }

    #[test]
    fn non_strings_are_refused_by_name() {
        let error = serde_json::from_str::<Shade>("7").unwrap_err().to_string();
        assert!(error.contains("a Shade string"), "{error}");
        assert!(serde_json::from_str::<Shade>("null").is_err());
    }
}
