"""Bodies of the authentication endpoints."""

from rest_framework import serializers


class LoginRequestSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()


class TokenResponseSerializer(serializers.Serializer):
    token = TokenPairSerializer()


class AppRoleRequestSerializer(serializers.Serializer):
    role_id = serializers.CharField(max_length=64)
    secret_id = serializers.CharField(max_length=256)


class AppRoleResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["vle", "provider"])
    pk = serializers.IntegerField()
    institution_id = serializers.IntegerField(required=False)
    vle_id = serializers.IntegerField(required=False)
    provider_id = serializers.IntegerField(required=False)
    config = serializers.DictField()
    token = TokenPairSerializer()


class LauncherExchangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    token = serializers.UUIDField()


class RefreshRequestSerializer(serializers.Serializer):
    """`token` is the access token (refresh token in the header) or the whole token pair."""

    token = serializers.JSONField()

    def validate_token(self, value):
        if isinstance(value, str) and value:
            return {"access_token": value, "refresh_token": None}
        if isinstance(value, dict) and isinstance(value.get("refresh_token"), str):
            access = value.get("access_token")
            return {
                "access_token": access if isinstance(access, str) else None,
                "refresh_token": value["refresh_token"],
            }
        raise serializers.ValidationError(
            "Expected the access token, or an object with access_token and refresh_token."
        )


class LogoutRequestSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(required=False)
    token = serializers.JSONField(required=False)
